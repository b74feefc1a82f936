# Gateways roaming to each other over the operator protocol (docs/operator-protocol.md): real
# `eigw serve` processes on loopback, each with its own SQLite database, configuration and test PKI
# signer (Python 3, standard library; the helpers of tests/gateway/server/gateway_harness.py).
# Included from tests/CMakeLists.txt. Each test runs one group of tests/operators/roaming/roaming_check.py
# on fresh gateways; exit 77 (skipped) when the test PKI cannot be made.
# Run one by hand (all groups without --only; --keep keeps the work folder):
#   python3 tests/operators/roaming/roaming_check.py build/bin/eigw . --only flow [--keep]

set(EIGW_OPERATORS_TESTS_DIR ${CMAKE_CURRENT_LIST_DIR})

function(eigw_roaming_test name group backend timeout)
  add_test(NAME RoamingTest.${name}
           COMMAND /usr/bin/python3 ${EIGW_OPERATORS_TESTS_DIR}/roaming/roaming_check.py $<TARGET_FILE:eigw>
                   ${CMAKE_SOURCE_DIR} --only ${group} --backend ${backend} --shared ${EIGW_SHARED_DIR})
  set_tests_properties(RoamingTest.${name} PROPERTIES
                       TIMEOUT ${timeout} SKIP_RETURN_CODE 77 LABELS server ${ARGN})
endfunction()

# A -> B: signed receipt, B's inbox (webhook, SSE, UBL document, ack), responses back to A (events,
# SSE, webhook); roaming A -> B -> C; a loop A -> B -> A; a recipient B does not know.
eigw_roaming_test(TwoAndThreeGateways flow sqlite 600)
# The same with gateway B on PostgreSQL (a throw-away cluster from scripts/pg-cluster).
eigw_roaming_test(TwoAndThreeGatewaysPostgresql flow postgresql 600)
# B down, 500 answers, answers after the timeout, a corrupted receipt (a stand-in server between A
# and B), duplicate deliveries, a message id reused for another document, an invalid document.
# Timing matters (timeouts, backoffs), so it runs alone.
eigw_roaming_test(DeliveryFaults faults sqlite 600 RUN_SERIAL TRUE)
# /operator/v1 authentication, envelope checks, receivers list with `since`, receivers check,
# status callbacks.
eigw_roaming_test(OperatorEndpoints protocol sqlite 600)
# B serves HTTPS with server.tls_client_ca: gw-a authenticates with its client certificate
# ([operator.gw-a] inbound_cert_sha256); without one, or with another certificate of the CA: 401.
eigw_roaming_test(TlsClientCertificates tls sqlite 600)

# The gateway with an Estonian operator (protocol ee-erp) against the stand-in of the
# ErpDataExchange SOAP service: an invoice routed, written as e-invoice 1.2 and delivered; a
# refusal; the poller exporting received invoices into the tenant's inbox, once, across a restart.
add_test(NAME EstoniaOperatorTest.GatewayWithStandIn
         COMMAND /usr/bin/python3 ${EIGW_OPERATORS_TESTS_DIR}/estonia/ee_gateway_check.py $<TARGET_FILE:eigw>
                 ${CMAKE_SOURCE_DIR} --shared ${EIGW_SHARED_DIR})
set_tests_properties(EstoniaOperatorTest.GatewayWithStandIn PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS server)

# The gateway with a Finnish bank (protocol finvoice-soap) against the HTTPS stand-in: Finvoice in
# its SOAP/ebXML frame with a client certificate, the acknowledgement archived, retries after 500s.
add_test(NAME FinlandOperatorTest.GatewayWithStandIn
         COMMAND /usr/bin/python3 ${EIGW_OPERATORS_TESTS_DIR}/finvoice_soap/fi_gateway_check.py $<TARGET_FILE:eigw>
                 ${CMAKE_SOURCE_DIR} --shared ${EIGW_SHARED_DIR})
set_tests_properties(FinlandOperatorTest.GatewayWithStandIn PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS server)

# The recipient directory end to end: registry dumps from a file and over HTTP, routing through the
# directory, the Estonian company status source, capability events, on-demand checks, edge cases;
# and two processes on one PostgreSQL database sharing a source's lease.
include(${CMAKE_CURRENT_LIST_DIR}/directory/sources_tests.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/directory/directory_tests.cmake)
