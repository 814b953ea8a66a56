"""dash's command line, build, lint and publisher."""
