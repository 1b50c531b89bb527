namespace LgspHub.Benchmarks.Gateway;

/// <summary>One measured wrk run of one target; CPU per request in µs (0 for no proxy).</summary>
public sealed record WrkRun(int Round, string Target, double RequestsPerSecond, double P99Ms, int Non2xx, double ProxyCpuUs, double AgencyCpuUs);
