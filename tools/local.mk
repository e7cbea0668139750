# membrane-audit: reads reports for a security team (see man/membrane-audit.1).
