# t/agent.mk: tests of this area.
