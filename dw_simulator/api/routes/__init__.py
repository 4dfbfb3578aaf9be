"""One router per resource; each route is a few lines over `dw_simulator.service.Simulator`."""
