# systemd unit templates, installed to $(systemdsystemunitdir).
