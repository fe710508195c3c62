import CytoCLI

CytoReset.main()
