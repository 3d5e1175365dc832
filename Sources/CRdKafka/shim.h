#ifndef SESSIONRANK_CRDKAFKA_SHIM_H
#define SESSIONRANK_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
// The mock cluster backs `sessionrank kafka-dev` and the fault-injection tests.
#include <librdkafka/rdkafka_mock.h>

// Swift cannot call C variadic functions; this pushes one (error, delay) pair onto a mock
// broker's error stack for the given ApiKey.
static inline rd_kafka_resp_err_t
sessionrank_mock_broker_push_request_error_rtt(rd_kafka_mock_cluster_t *mcluster,
                                               int32_t broker_id,
                                               int16_t api_key,
                                               rd_kafka_resp_err_t err,
                                               int rtt_ms) {
        return rd_kafka_mock_broker_push_request_error_rtts(mcluster, broker_id, api_key, 1, err, rtt_ms);
}
#endif
