# SPDX-License-Identifier: Apache-2.0
# The broker: the network rule (pure, broker-rule.c) and the connects, binds
# and sends it performs for the sandbox in the host's network namespace.
noinst_LIBRARIES += libbroker.a
libbroker_a_SOURCES = \
	supervisor/broker/broker.h supervisor/broker/broker.c \
	supervisor/broker/broker-internal.h \
	supervisor/broker/broker-decide.c supervisor/broker/broker-send.c \
	supervisor/broker/broker-rule.h supervisor/broker/broker-rule.c \
	supervisor/broker/broker-sock.c supervisor/broker/broker-sockopt.c \
	supervisor/broker/broker-listeners.c
BROKER_LIBS = libbroker.a $(NOTIFY_LIBS)
