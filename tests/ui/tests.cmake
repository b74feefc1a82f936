# The web pages in headless Chromium (Debian's chromium driven by playwright-core, both installed
# by scripts/ui-browser-setup when missing; skipped when that cannot be done). Included from
# tests/CMakeLists.txt. Screenshots of every test go to build/ui-screenshots.
# Run by hand: python3 tests/ui/ui_browser_check.py build/bin/eigw . --screenshots /tmp/shots [--only NAME]
add_test(NAME UiTest.Browser
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/ui_browser_check.py $<TARGET_FILE:eigw>
                 ${CMAKE_SOURCE_DIR} --screenshots ${CMAKE_BINARY_DIR}/ui-screenshots)
set_tests_properties(UiTest.Browser PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77 LABELS ui)
# The browser-test harness itself (tests/ui/browser.mjs) on a page of its own.
add_test(NAME UiTest.HarnessSmoke
         COMMAND /bin/sh -c "EIGW_UI_NODE_DIR=$(${CMAKE_SOURCE_DIR}/scripts/ui-browser-setup) || exit 77; EIGW_UI_SCREENSHOTS=${CMAKE_BINARY_DIR}/ui-screenshots/harness exec node ${CMAKE_CURRENT_LIST_DIR}/smoke_test.mjs")
set_tests_properties(UiTest.HarnessSmoke PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77 LABELS ui)
