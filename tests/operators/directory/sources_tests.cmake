# The directory's sources end to end (docs/api.md, "Recipients and the directory";
# docs/configuration.md, [directory] and registry-dump): real `eigw serve` processes on loopback with
# SQLite, registry dumps made by scripts/gen_registry_dump.py (from a path, a file:// URL, and a local
# HTTP server with ETag / Last-Modified), the Estonian ErpDataExchange stand-in
# (tests/operators/estonia/ee_standin.py) as an ee-erp source, and a second gateway as a partner
# answering receivers checks (Python 3, standard library; the helpers of
# tests/gateway/server/gateway_harness.py). Each test runs one group of sources_check.py on fresh
# gateways. Run one by hand (all groups without --only; --keep keeps the work folder):
#   python3 tests/operators/directory/sources_check.py build/bin/eigw . --only file [--keep]

set(EIGW_DIRECTORY_SOURCES_CHECK ${CMAKE_CURRENT_LIST_DIR}/sources_check.py)

function(eigw_directory_sources_test name group)
  add_test(NAME DirectoryTest.${name}
           COMMAND /usr/bin/python3 ${EIGW_DIRECTORY_SOURCES_CHECK} $<TARGET_FILE:eigw> ${CMAKE_SOURCE_DIR}
                   --only ${group} --shared ${EIGW_SHARED_DIR})
  set_tests_properties(DirectoryTest.${name} PROPERTIES
                       TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS server ${ARGN})
endfunction()

# A 2,000-entry dump from a path: every entry's operator, channel, path, name, formats and party
# identifiers as configured (`codes`, an operator's id, `via`); a dump with 300 changes synced on
# request: the status counts are the manifest's, additions, changes and removals answer so; an
# unchanged dump changes nothing; sync requests for one, all and an unknown source; /metrics.
eigw_directory_sources_test(RegistryDumpFromFile file)
# A dump over HTTP: If-None-Match / If-Modified-Since and 304 (not downloaded again), the token, the
# source's own interval, the spool file; XML, 500 and 404 answers fail the sync (last_error,
# consecutive failures, metrics) while the old data answers; a 304 afterwards recovers.
eigw_directory_sources_test(RegistryDumpOverHttp http)
# Routing: the [routing] table, then the directory (our operator named by `codes`: its folder; a
# roaming entry: through `via`), then the default operator (`e_invoice = false`) for unknown and
# removed recipients; GET /v1/invoices e_invoice and e_invoice_reason.
eigw_directory_sources_test(RoutingThroughTheDirectory routing)
# The ee-erp source: the invoiced 0191 recipients asked in CompanyStatusRequests of at most 100,
# active ones can_receive, the others not_registered; a company that stops receiving; a recipient
# never invoiced checked on demand.
eigw_directory_sources_test(EstonianCompanyStatus estonia)
# recipient.capability events (signed webhooks and SSE) to the tenant that invoiced the recipient
# when it leaves the dump, comes back or changes operator; none to a tenant that did not.
eigw_directory_sources_test(CapabilityEvents watch)
# On-demand checks with a partner gateway: max_age, directory.check_max_age_seconds, checked_now;
# the partner down: check_error with the stored answer. Timing matters (check_max_age_seconds = 5).
eigw_directory_sources_test(OnDemandChecks check)
# url = file://..., identifiers that differ only in letter case (lookups, checks, routing), and a
# change an on-demand check finds told to the tenant that invoiced the recipient.
eigw_directory_sources_test(EdgeCases edges)
