from dw_simulator.cli import main

main()
