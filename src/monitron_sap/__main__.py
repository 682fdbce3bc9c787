from monitron_sap.cli import main

main()
