using System.Diagnostics;
using LgspHub.LocalHub;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LgspHub.AppHost;

/// <summary>
/// Debian's postgresql as the hub's private server (<see cref="PostgresCluster.Hub"/>), an executable resource as the
/// broker is: the agencies' and the gateway's databases on it instead of SQLite files (<c>Hub:LocalPostgres=true</c>,
/// <c>./lgsp up --postgres</c>).
/// </summary>
internal static class LocalPostgres
{
    public const string Name = "postgres";

    public static IResourceBuilder<ExecutableResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, PostgresCluster cluster)
    {
        if (PostgresCluster.BinDirectory is null)
            throw new InvalidOperationException("PostgreSQL is not installed: ./lgsp up --postgres installs Debian's postgresql; or name a server of your own with ConnectionStrings:postgres.");
        // initdb on the first run only; about two seconds.
        cluster.InitializeAsync().GetAwaiter().GetResult();
        var (program, arguments) = cluster.ServerCommand();
        builder.Services.AddHealthChecks().AddCheck(Name, new AcceptingConnections(cluster));
        return builder.AddExecutable(Name, program, cluster.Directory, arguments)
            .WithEndpoint(port: cluster.Port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithHealthCheck(Name);
    }

    /// <summary>
    /// pg_isready, PostgreSQL's own check: the port opens before the server takes connections (while it recovers), and
    /// a host that found it open then would fail to create its schema.
    /// </summary>
    private sealed class AcceptingConnections(PostgresCluster cluster) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            using var check = Process.Start(new ProcessStartInfo(Path.Combine(PostgresCluster.BinDirectory!, "pg_isready"),
                ["-q", "-h", "127.0.0.1", "-p", cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
            await check.WaitForExitAsync(cancellationToken);
            return check.ExitCode == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("not accepting connections yet");
        }
    }
}
