"""The host policy the bridge enforces on every connection (the TypeScript side's own is packages/host-policy)."""

import pytest

from langguard_bridge import netguard


def test_metadata_and_internal_addresses_are_refused_by_default():
    policy = netguard.default_policy()
    assert netguard.blocked_address_reason("169.254.169.254", policy) == "is a cloud metadata service address"
    for address in ("10.0.0.1", "127.0.0.1", "::1", "::ffff:192.168.1.1", "0.0.0.0"):
        assert netguard.is_blocked_address(address, policy), address
    assert not netguard.is_blocked_address("52.1.2.3", policy)


def test_allowed_networks_lift_the_block_and_host_names_do_not():
    policy = netguard.parse_policy('{"v":1,"allowedDomains":[],"extraHosts":["internal.example"],"allowedNetworks":["10.1.0.0/16"],"allowHttp":false,"allowedPorts":[443]}')
    assert not netguard.is_blocked_address("10.1.2.3", policy)
    assert netguard.is_blocked_address("10.2.0.1", policy)


@pytest.mark.parametrize("url", ["http://dbc-1.cloud.databricks.com", "https://127.1", "https://0x7f000001", "https://evil.example.com", "https://dbc-1.cloud.databricks.com:8443"])
def test_urls_outside_the_policy_are_refused(url):
    assert not netguard.check_url(url, netguard.default_policy()).ok


def test_a_workspace_url_is_allowed():
    check = netguard.check_url("https://dbc-1.cloud.databricks.com/api/2.1/unity-catalog/catalogs", netguard.default_policy())
    assert check.ok and check.hostname == "dbc-1.cloud.databricks.com" and check.port == 443


def test_a_policy_round_trips_through_its_serialised_form():
    policy = netguard.default_policy()
    assert netguard.parse_policy(netguard.serialize_policy(policy)) == policy
