# Install rules and the Debian package (issue #26; docs/operations.md):
#   cmake --install build/release --prefix /usr        (what the package holds)
#   cpack --config build/release/CPackConfig.cmake -G DEB -B build/package
# The package: taxiid in /usr/sbin, taxii and taxii2 in /usr/bin, /etc/taxiid/taxiid.yaml
# (a conffile), the hardened systemd unit, man pages taxiid(8), taxii(1), taxiid.yaml(5), and
# the docs; maintainer scripts make the taxiid system user and /var/lib/taxiid.
include(GNUInstallDirs)

install(TARGETS taxiid RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT taxii)
install(TARGETS taxii RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT taxii)
if(TARGET taxii2)
  install(TARGETS taxii2 RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT taxii)
endif()
# Absolute: /etc and /lib/systemd whatever the prefix (Debian policy; the package's prefix is /usr).
install(FILES packaging/taxiid.yaml DESTINATION /etc/taxiid COMPONENT taxii)
install(FILES packaging/taxiid.service DESTINATION /lib/systemd/system COMPONENT taxii)
install(FILES packaging/man/taxiid.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT taxii)
install(FILES packaging/man/taxii.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT taxii)
install(FILES packaging/man/taxii.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 RENAME taxii2.1 COMPONENT taxii)
install(FILES packaging/man/taxiid.yaml.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5 COMPONENT taxii)
file(GLOB taxii_docs ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES README.md ${taxii_docs} samples/taxiid.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT taxii)

set(CPACK_PACKAGE_NAME taxii)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "taxii maintainers <taxii@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "TAXII 1.1/1.0 and 2.1 server (taxiid) and clients (taxii, taxii2)")
set(CPACK_PACKAGE_DESCRIPTION "taxiid serves TAXII 1.1 and 1.0 (Discovery, Collection Management, Inbox, Poll) over HTTP and HTTPS from a SQLite or PostgreSQL store; taxii and taxii2 are command-line clients.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)         # Depends from the binaries' libraries (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_SOURCE_DIR}/packaging/debian/conffiles;${CMAKE_SOURCE_DIR}/packaging/debian/postinst;${CMAKE_SOURCE_DIR}/packaging/debian/prerm;${CMAKE_SOURCE_DIR}/packaging/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
