package funcs

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lensix/lensix/internal/resource"
)

// The expected values are the examples of Resource Manager's CIDR function documentation.
func TestCidrFunctions(t *testing.T) {
	tests := []struct {
		name string
		fn   string
		args []any
		want any
	}{
		{"parseCidr of an IPv4 network gives its addresses", "parseCidr", arr("10.144.0.0/20"), obj(
			"network", "10.144.0.0", "netmask", "255.255.240.0", "broadcast", "10.144.15.255",
			"firstUsable", "10.144.0.1", "lastUsable", "10.144.15.254", "cidr", int64(20))},
		{"parseCidr of an IPv6 network has no broadcast and every address usable", "parseCidr", arr("fdad:3236:5555::/48"), obj(
			"network", "fdad:3236:5555::", "netmask", "ffff:ffff:ffff::",
			"firstUsable", "fdad:3236:5555::", "lastUsable", "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff", "cidr", int64(48))},
		{"parseCidr masks the address to the network", "parseCidr", arr("10.144.3.7/20"), obj(
			"network", "10.144.0.0", "netmask", "255.255.240.0", "broadcast", "10.144.15.255",
			"firstUsable", "10.144.0.1", "lastUsable", "10.144.15.254", "cidr", int64(20))},
		{"cidrSubnet splits an IPv4 network", "cidrSubnet", arr("10.144.0.0/20", int64(24), int64(4)), "10.144.4.0/24"},
		{"cidrSubnet splits an IPv6 network", "cidrSubnet", arr("fdad:3236:5555::/48", int64(52), int64(3)), "fdad:3236:5555:3000::/52"},
		{"cidrSubnet to the same size is the network", "cidrSubnet", arr("10.0.0.0/16", int64(16), int64(0)), "10.0.0.0/16"},
		{"cidrHost counts IPv4 hosts from the first usable address", "cidrHost", arr("10.144.3.0/24", int64(4)), "10.144.3.5"},
		{"cidrHost counts IPv6 hosts from the address after the network", "cidrHost", arr("fdad:3236:5555:3000::/52", int64(0)), "fdad:3236:5555:3000::1"},
		{"cidrHost reaches the last usable IPv4 address", "cidrHost", arr("192.168.1.0/24", int64(253)), "192.168.1.254"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Call(fakeContext{}, tt.fn, tt.args)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s(%v) = %#v, %v; want %#v", tt.fn, tt.args, got, err, tt.want)
			}
		})
	}
}

func TestCidrFunctionsOutsideTheNetwork(t *testing.T) {
	tests := []struct {
		name     string
		fn       string
		args     []any
		contains string
		// deploymentFails: a *RuntimeError, as the values fail rather than the expression.
		deploymentFails bool
	}{
		{"a subnet index past the last subnet", "cidrSubnet", arr("10.144.0.0/20", int64(24), int64(16)), "out of range: 10.144.0.0/20 splits into 16 subnets", true},
		{"a new CIDR shorter than the network's", "cidrSubnet", arr("10.144.0.0/20", int64(16), int64(0)), "between the network's 20 and 32", true},
		{"a host index on the broadcast address", "cidrHost", arr("192.168.1.0/24", int64(254)), "has 254 usable hosts", true},
		{"a negative host index", "cidrHost", arr("192.168.1.0/24", int64(-1)), "out of range", true},
		{"a network that is not CIDR", "parseCidr", arr("10.0.0.0"), "not a network in CIDR notation", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Call(fakeContext{}, tt.fn, tt.args)
			if err == nil || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("got %v, want an error containing %q", err, tt.contains)
			}
			var re *RuntimeError
			if errors.As(err, &re) != tt.deploymentFails {
				t.Errorf("%v: is a RuntimeError = %v, want %v", err, !tt.deploymentFails, tt.deploymentFails)
			}
		})
	}
}

func TestCidrUsableAddressesOfTheSmallestIPv4NetworksAreUnknown(t *testing.T) {
	got, err := Call(fakeContext{}, "parseCidr", arr("10.0.0.4/31"))
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["network"] != "10.0.0.4" || m["broadcast"] != "10.0.0.5" || !resource.IsUnknown(m["firstUsable"]) || !resource.IsUnknown(m["lastUsable"]) {
		t.Errorf("parseCidr('10.0.0.4/31') = %#v", m)
	}
	if h, err := Call(fakeContext{}, "cidrHost", arr("10.0.0.9/32", int64(0))); err != nil || !resource.IsUnknown(h) {
		t.Errorf("cidrHost of a /32 = %#v, %v; want unknown", h, err)
	}
}
