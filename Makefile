# SessionRank: two set-up commands, `make run` and `make test`. See README.md.
SHELL := /bin/bash
CONFIGURATION ?= debug
SWIFT_BUILD := swift build -c $(CONFIGURATION)
ENV := source scripts/env.sh; export SESSIONRANK_BUILD_CONFIGURATION=$(CONFIGURATION);
BIN = $$($(SWIFT_BUILD) --show-bin-path)/sessionrank

.PHONY: run test faults deps build build-tests stack cluster-stack db stop status clean-data

## Runs the service on the local stack (installs, starts, migrates, seeds, builds).
## With no model snapshot yet, the service starts from 20,000 generated demo sessions.
run: deps build stack db
	@$(ENV) export SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS=$${SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS:-20000}; \
	exec $(BIN) serve --config config/sessionrank.yaml

## First the fast checks: the targets' layering (scripts/check-layers.sh) and the Prometheus
## alert rules (promtool check and unit tests, scripts/check-alerts.sh). Then the whole test
## suite against the real local Redis, PostgreSQL and Kafka dev broker, then the load-test
## harness's own tests (against its built-in stub server).
## The suite gets data of its own (scripts/test-data.sh): its own database, Redis database and
## Kafka dev broker, so `make run`'s service never sees what the tests write; test-data.sh also
## starts the 3-primary, 3-replica Redis Cluster the cluster tests use (`make cluster-stack`).
## Serial: many suites start whole servers and pause real Redis/PostgreSQL instances; on two
## cores, running them all at once turns timing checks into noise.
test: deps build-tests stack
	@scripts/check-layers.sh
	@scripts/check-alerts.sh
	@$(ENV) scripts/test-data.sh swift test -c $(CONFIGURATION) --skip-build --no-parallel
	@swift build --package-path loadtests --build-tests && swift test --package-path loadtests --skip-build

## Fault and bad-input checks that are not part of `swift test`: schemathesis (from PyPI) with
## every check against a live debug build on its own database and Kafka dev broker
## (scripts/schemathesis.sh). `.ci/run` runs it after `make test`.
faults: deps build stack db
	@$(ENV) scripts/schemathesis.sh

deps:
	@scripts/install-deps.sh

build: deps
	@$(SWIFT_BUILD)

build-tests: deps
	@$(SWIFT_BUILD) --build-tests

stack:
	@$(ENV) scripts/stack.sh start

## A Redis Cluster of 3 primaries and 3 replicas on 127.0.0.1:7000-7005 (SESSIONRANK_REDIS_CLUSTER_PORT
## moves it); use it with redis.url $$(scripts/redis-cluster.sh url).
cluster-stack:
	@$(ENV) scripts/stack.sh start-cluster

db:
	@$(ENV) $(BIN) migrate && $(BIN) seed --demo

stop:
	@scripts/stack.sh stop

status:
	@scripts/stack.sh status

## Stops the stack and deletes its data (.local/).
clean-data: stop
	rm -rf .local

## Load test: release build, local stack and service, the standard scenario; report in loadtests/results/ (see loadtests/README.md).
.PHONY: loadtest
loadtest: deps
	@loadtests/run-standard.sh

## Three release replicas behind nginx on loopback, sharing the local stack (scripts/fleet.sh):
## `make fleet` starts them, `make fleet-check` runs the load and the checks of docs/RELIABILITY.md
## ("Several replicas behind nginx") and fails when one fails, `make fleet-stop` stops them.
.PHONY: fleet fleet-check fleet-stop
fleet:
	@scripts/fleet.sh start

fleet-check: fleet
	@scripts/fleet.sh check

fleet-stop:
	@scripts/fleet.sh stop
