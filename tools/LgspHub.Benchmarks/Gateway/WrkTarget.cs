using LgspHub.LocalHub;
using LgspHub.ServiceDefaults;

namespace LgspHub.Benchmarks.Gateway;

/// <summary>What one wrk run is pointed at.</summary>
/// <param name="ProxyPids">The processes in front of the agency (none when direct), read before each run: nginx's workers may change.</param>
/// <param name="Fresh">A process the bench started (or the hub just did): its JIT needs a longer warm-up.</param>
public sealed record WrkTarget(string Name, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, Func<IReadOnlyList<int>> ProxyPids, bool Fresh)
{
    /// <summary>A seeded parcel (default seed): a read that touches the agency's database. It names its owner, so through
    /// the hub it is a personal-data read: it declares a purpose and an officer, and is audited.</summary>
    public const string Path = "/api/land/parcels/20815/6/2313";

    public static Uri On(int port) => new($"http://127.0.0.1:{port}{Path}");

    /// <summary>Through a gateway with its checks on: as the load consumer, for the bench's purpose.</summary>
    public static WrkTarget Gateway(string name, int port, string token, Func<IReadOnlyList<int>> proxyPids, bool fresh) =>
        new(name, On(port),
            [new("Authorization", $"Bearer {token}"), new(HubHeaders.Purpose, "lgsp.bench"), new(HubHeaders.Officer, "bench")],
            proxyPids, fresh);

    /// <summary>No checks in front of the agency (the checks-off gateway, nginx, which present the agency's key themselves).</summary>
    public static WrkTarget Proxy(string name, int port, Func<IReadOnlyList<int>> proxyPids, bool fresh) => new(name, On(port), [], proxyPids, fresh);

    /// <summary>The agency itself, called with its key as the gateway presents it: it answers the gateway's key only.</summary>
    public static WrkTarget Agency(string name, int port, string key) =>
        new(name, On(port), [new("Authorization", $"{AgencyCredentials.GatewayScheme} {key}")], () => [], false);

    public static Func<IReadOnlyList<int>> Process(int? pid) => () => pid is { } p ? [p] : [];

    /// <summary>A process and its children (nginx: the master and its workers).</summary>
    public static Func<IReadOnlyList<int>> ProcessAndChildren(int pid) => () => [pid, .. ProcStat.Children(pid)];
}
