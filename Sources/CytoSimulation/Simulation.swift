/// CytoSimulation writes realistic CD19 CAR T monitoring panel files with known truth.
public enum Simulation {}
