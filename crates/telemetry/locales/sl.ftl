telemetry-title = Senzorji
