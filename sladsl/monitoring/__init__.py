"""The monitoring compiler: the AST to Prometheus rules, OpenSLO and Grafana dashboards."""
