package funcs

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"
)

// The CIDR functions, as documented for Resource Manager: the network is masked to its prefix;
// in IPv4 the network and broadcast addresses are not usable, in IPv6 every address is (though
// cidrHost counts hosts from the address after the network's, as in the documented examples).

func parseCidr(_ Context, a []any) (any, error) {
	p, err := asPrefix(a[0])
	if err != nil {
		return nil, err
	}
	network, last := p.Addr(), addrAdd(p.Addr(), hostCount(p), -1)
	out := map[string]any{
		"network": network.String(),
		"netmask": netmask(p).String(),
		"cidr":    int64(p.Bits()),
	}
	if network.Is4() {
		out["broadcast"] = last.String()
		if p.Bits() >= 31 {
			out["firstUsable"] = unknown("Resource Manager does not document the usable addresses of a /%d", p.Bits())
			out["lastUsable"] = out["firstUsable"]
			return out, nil
		}
		out["firstUsable"] = addrAdd(network, big.NewInt(1), 0).String()
		out["lastUsable"] = addrAdd(last, big.NewInt(-1), 0).String()
		return out, nil
	}
	out["firstUsable"] = network.String()
	out["lastUsable"] = last.String()
	return out, nil
}

func cidrSubnet(_ Context, a []any) (any, error) {
	p, err := asPrefix(a[0])
	if err != nil {
		return nil, err
	}
	bits, err := asInt("the new CIDR", a[1])
	if err != nil {
		return nil, err
	}
	index, err := asInt("the subnet index", a[2])
	if err != nil {
		return nil, err
	}
	size := int64(p.Addr().BitLen())
	if bits < int64(p.Bits()) || bits > size {
		return nil, runtimeErr("the new CIDR %d must be between the network's %d and %d", bits, p.Bits(), size)
	}
	subnets := new(big.Int).Lsh(big.NewInt(1), uint(bits-int64(p.Bits())))
	if index < 0 || big.NewInt(index).Cmp(subnets) >= 0 {
		return nil, runtimeErr("subnet index %d is out of range: %s splits into %s subnets of /%d", index, p, subnets, bits)
	}
	offset := new(big.Int).Lsh(big.NewInt(index), uint(size-bits))
	return fmt.Sprintf("%s/%d", addrAdd(p.Addr(), offset, 0), bits), nil
}

func cidrHost(_ Context, a []any) (any, error) {
	p, err := asPrefix(a[0])
	if err != nil {
		return nil, err
	}
	index, err := asInt("the host index", a[1])
	if err != nil {
		return nil, err
	}
	hosts := hostCount(p) // addresses after the network's; IPv4 also keeps the broadcast back
	hosts.Sub(hosts, big.NewInt(1))
	if p.Addr().Is4() {
		if p.Bits() >= 31 {
			return unknown("Resource Manager does not document the usable addresses of a /%d", p.Bits()), nil
		}
		hosts.Sub(hosts, big.NewInt(1))
	}
	if index < 0 || big.NewInt(index).Cmp(hosts) >= 0 {
		return nil, runtimeErr("host index %d is out of range: %s has %s usable hosts", index, p, hosts)
	}
	return addrAdd(p.Addr(), big.NewInt(index+1), 0).String(), nil
}

// asPrefix reads a network in CIDR notation, masked to its prefix.
func asPrefix(v any) (netip.Prefix, error) {
	s, err := asString("the network", v)
	if err != nil {
		return netip.Prefix{}, err
	}
	p, err := netip.ParsePrefix(strings.TrimSpace(s))
	if err != nil || p.Addr().Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not a network in CIDR notation such as 10.0.0.0/16", s)
	}
	return p.Masked(), nil
}

// hostCount is the number of addresses in p.
func hostCount(p netip.Prefix) *big.Int {
	return new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()-p.Bits()))
}

func netmask(p netip.Prefix) netip.Addr {
	all := new(big.Int).Lsh(big.NewInt(1), uint(p.Addr().BitLen()))
	hosts := hostCount(p)
	mask := all.Sub(all, hosts)
	return fromInt(mask, p.Addr().Is4())
}

// addrAdd returns a + n + delta; the callers stay inside the network, so it does not wrap.
func addrAdd(a netip.Addr, n *big.Int, delta int64) netip.Addr {
	b := a.AsSlice()
	x := new(big.Int).SetBytes(b)
	x.Add(x, n)
	x.Add(x, big.NewInt(delta))
	return fromInt(x, a.Is4())
}

func fromInt(x *big.Int, v4 bool) netip.Addr {
	if v4 {
		var b [4]byte
		x.FillBytes(b[:])
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	x.FillBytes(b[:])
	return netip.AddrFrom16(b)
}
