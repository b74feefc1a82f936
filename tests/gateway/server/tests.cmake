# The gateway server against real `eigw serve` processes on loopback (Python 3, standard library).
# Included from tests/CMakeLists.txt. Each check writes its own configuration under a temporary
# folder; the PostgreSQL ones start and stop a throw-away cluster with scripts/pg-cluster (which
# installs PostgreSQL when it is missing) and exit 77 (skipped) when that cannot be done.
# Run one by hand:
#   python3 tests/gateway/server/api_check.py build/bin/eigw . --backend postgresql [--keep]

set(EIGW_SERVER_TESTS_DIR ${CMAKE_CURRENT_LIST_DIR})

function(eigw_server_test name script backend timeout)
  add_test(NAME ServerTest.${name}
           COMMAND /usr/bin/python3 ${EIGW_SERVER_TESTS_DIR}/${script} $<TARGET_FILE:eigw>
                   ${CMAKE_SOURCE_DIR} --backend ${backend} --shared ${EIGW_SHARED_DIR})
  set_tests_properties(ServerTest.${name} PROPERTIES
                       TIMEOUT ${timeout} SKIP_RETURN_CODE 77 LABELS server ${ARGN})
endfunction()

# The ERP API: auth, intake to the drop folder, documents, paging, idempotency, refusals, preflight,
# tenant isolation, retries and exhausted attempts, metrics, restart on the same database.
eigw_server_test(ApiSqlite api_check.py sqlite 300)
eigw_server_test(ApiPostgresql api_check.py postgresql 300)
# Server-Sent Events with Last-Event-ID replay; signed webhooks with retries, timeouts, replay and
# delete.
eigw_server_test(EventsSqlite events_check.py sqlite 300)
eigw_server_test(EventsPostgresql events_check.py postgresql 300)
# SIGKILL during intake and delivery, three times: every 202 delivered exactly once. Timing
# matters (kills 1-2 s into a round), so these run alone.
eigw_server_test(CrashSafetySqlite crash_check.py sqlite 300 RUN_SERIAL TRUE)
eigw_server_test(CrashSafetyPostgresql crash_check.py postgresql 300 RUN_SERIAL TRUE)
# Two servers on one PostgreSQL database: 1,000 invoices, each delivered exactly once; the SSE
# stream of each server sees every event once, in order.
eigw_server_test(TwoProcessesOnePostgresql two_process_check.py postgresql 600 RUN_SERIAL TRUE)
# The web pages' sign-in, sessions, CSRF and roles over HTTP (the browser tests: tests/ui).
eigw_server_test(UiSqlite ui_check.py sqlite 300)
eigw_server_test(UiPostgresql ui_check.py postgresql 300)
