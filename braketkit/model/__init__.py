"""attrs classes without behaviour: user settings and the CreateJob request shapes."""
