# CPack's DEB generator, one package per install component (packaging/CMakeLists.txt). Depends come
# from dpkg-shlibdeps (the Boost.JSON, libpqxx, prometheus-cpp, OpenSSL, libcurl ... runtime
# packages the binaries really link), plus what a package needs beyond its libraries.
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL plugin dev tools server)
set(CPACK_PACKAGE_NAME creditgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "creditgate")
set(CPACK_PACKAGE_CONTACT "creditgate team <team@creditgate.example>")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://creditgate.example/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Installed files are stripped (lintian: unstripped-binary-or-object); build trees keep symbols.
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)

set(version "${PROJECT_VERSION}")

set(CPACK_DEBIAN_PLUGIN_PACKAGE_NAME creditgate-plugin)
set(CPACK_DEBIAN_PLUGIN_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_PLUGIN_DESCRIPTION
  "prepaid-credit gate for WhatsApp template messages (plugin)
A messaging gateway loads this plugin (with Boost.DLL) and asks it
before every outreach batch: it prices the batch from the rate card,
debits the tenant's prepaid credit in PostgreSQL and answers allow,
allow-flagged, partial or block as the config's policy says. It refunds
what Meta does not charge, notifies tenants and exports Prometheus
metrics.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME creditgate-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The headers use Boost.DLL; a host loads the plugin of exactly this version (the ABI stamp).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "creditgate-plugin (= ${version}), libboost1.81-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "prepaid-credit gate for WhatsApp template messages (host API)
The headers a messaging gateway includes to load the creditgate plugin,
check its ABI stamp and ask it for decisions, with a CMake package
(find_package(creditgate) gives creditgate::host_api and
creditgate::plugin) and a pkg-config file (creditgate.pc).")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME creditgate-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
  "prepaid-credit gate for WhatsApp template messages (admin tools)
creditctl, the admin tool: applies the database migrations, adds tenants
and credit, shows balances, ledgers and reports, imports rate cards,
manages API keys and portal users. With the SQL migrations and the 2025
market data under /usr/share/creditgate.")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME creditgate-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
# adduser: the postinst makes the system user the unit runs as.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "creditgate-plugin (= ${version}), adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "creditgate-tools (= ${version})")
set(CPACK_COMPONENT_SERVER_DESCRIPTION
  "prepaid-credit gate for WhatsApp template messages (HTTP server)
creditgate-server hosts the creditgate plugin and offers its gate as an
HTTP billing API to outreach services in any language, and serves the
billing portal where tenants see their balance and admins add credit.
It runs as a hardened systemd service.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/server/conffiles
  ${CMAKE_CURRENT_LIST_DIR}/server/postinst
  ${CMAKE_CURRENT_LIST_DIR}/server/prerm
  ${CMAKE_CURRENT_LIST_DIR}/server/postrm)

# Description lines: at most 79 characters, no leading space (CPack indents them).
# Every package carries its copyright and changelog (Debian policy 12.5, 12.7), and the lintian
# tags it leaves, each with its reason (lintian-overrides/).
configure_file(${CMAKE_CURRENT_LIST_DIR}/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/changelog @ONLY)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
  COMMAND gzip -9nc ${CMAKE_CURRENT_BINARY_DIR}/changelog > ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
  DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog VERBATIM)
add_custom_target(creditgate_debian_changelog ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz)
foreach(component plugin dev tools server)
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz
    DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/creditgate-${component} COMPONENT ${component})
  set(overrides ${CMAKE_CURRENT_LIST_DIR}/lintian-overrides/creditgate-${component})
  if(EXISTS ${overrides})
    install(FILES ${overrides} DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides
      COMPONENT ${component})
  endif()
endforeach()

include(CPack)
