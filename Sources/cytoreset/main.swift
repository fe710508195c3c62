import CytoCLI

CytoReset.runAndExit()
