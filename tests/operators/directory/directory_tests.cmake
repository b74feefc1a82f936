# The recipient directory across processes (docs/api.md, "Recipients and the directory"): two
# `eigw serve` processes and concurrent `eigw directory sync` runs on one PostgreSQL database (a
# throw-away cluster from scripts/pg-cluster) sync one slow stand-in partner (docs/operator-protocol.md,
# receivers list), never two at once (the lease in directory_sources). Python 3, standard library; the
# helpers of tests/gateway/server/gateway_harness.py. Included from tests/operators/tests.cmake; exit 77
# (skipped) when PostgreSQL cannot be set up.
# Run it by hand (--keep keeps the work folder; --break-lease frees the lease mid-sync, so it must fail):
#   python3 tests/operators/directory/lease_check.py build/bin/eigw . [--keep] [--break-lease]

add_test(NAME DirectoryTest.TwoProcessesOnePostgresqlLease
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/lease_check.py $<TARGET_FILE:eigw>
                 ${CMAKE_SOURCE_DIR} --shared ${EIGW_SHARED_DIR})
set_tests_properties(DirectoryTest.TwoProcessesOnePostgresqlLease PROPERTIES
                     TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS server)
