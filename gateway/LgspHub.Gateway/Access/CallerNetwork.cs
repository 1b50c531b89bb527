using System.Net;
using System.Net.Sockets;

namespace LgspHub.Gateway.Access;

/// <summary>The network a caller is counted by when it has no validated token.</summary>
public static class CallerNetwork
{
    /// <summary>
    /// An IPv4 address as it is; an IPv6 address by its /64 prefix, since one subscriber's host may take any
    /// address in its /64 (RFC 4291's interface identifier), and per address it would get a limit per request.
    /// </summary>
    public static string Of(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPNetwork(new IPAddress(bytes), 64).ToString();
    }
}
