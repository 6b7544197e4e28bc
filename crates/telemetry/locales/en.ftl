telemetry-title = Sensors
