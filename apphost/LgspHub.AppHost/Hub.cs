using System.Security.Cryptography;
using LgspHub.LocalHub;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.AppHost;

/// <summary>
/// The hub as Aspire resources: the broker, the four agencies (each instance a resource of its own, so the gateway
/// balances over them itself), and the gateway routing to each. No endpoint is proxied: a request goes from the
/// gateway straight to the agency instance, as when the hosts run on their own.
/// </summary>
public static class Hub
{
    public static void AddHub(this IDistributedApplicationBuilder builder, HubSettings settings)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        builder.Services.AddSingleton(settings).AddHostedService<HubRun>();
        var node = BrokerNode.Hub(settings.StateDirectory);
        var (brokerUrl, managementUrl, broker) = settings.BrokerUrl is { } url
            ? (url, settings.BrokerManagementUrl!, null)
            : (node.AmqpUrl, node.ManagementUrl, builder.AddLocalBroker(settings, node));

        var database = settings.LocalPostgres ? builder.AddLocalPostgres(PostgresCluster.Hub(settings.StateDirectory)) : null;

        var repository = new HubRepository(settings.RepositoryRoot);
        var gateway = builder.AddHost(repository.Gateway, 1, settings);
        // Started with the agencies, so that its health checks of them do not fail while they wait for the broker.
        if (broker is not null)
            gateway.WaitFor(broker);
        // A system of the developer's own in place of the agency (docs/bring-your-own-agency.md): no mock of it runs.
        foreach (var (agency, system) in settings.OwnAgencies)
            gateway.WithEnvironment($"ReverseProxy__Clusters__{agency}__Destinations__primary__Address", system);
        foreach (var agency in repository.Agencies.Where(a => !settings.OwnAgencies.ContainsKey(a.Name)))
            builder.AddAgency(agency, gateway, brokerUrl, broker, settings);
        gateway.WithEnvironment("ConnectionStrings__database", settings.DatabaseOf("gateway"))
            .WithEnvironment("Lgsp__Ops__BrokerManagementUrl", managementUrl)
            .WithEnvironment("Lgsp__Tokens__Issuer", ReferenceExpression.Create($"{LoopbackUrl(gateway)}/"))
            .WithEnvironment(context =>
            {
                // A collector of the operator's own (OTEL_EXPORTER_OTLP_ENDPOINT given to the AppHost) instead of the dashboard.
                if (settings.ExternalOtlpEndpoint is { } external)
                {
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = external;
                    context.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                    context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_HEADERS");
                }
                // The gateway exports its own telemetry where Aspire points it (the dashboard), and passes on what the
                // agencies send it to the same place, with the same credentials.
                if (context.EnvironmentVariables.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var otlp))
                    context.EnvironmentVariables["Lgsp__Ops__ForwardOtlpTo"] = otlp;
                if (context.EnvironmentVariables.TryGetValue("OTEL_EXPORTER_OTLP_HEADERS", out var headers))
                    context.EnvironmentVariables["Lgsp__Ops__ForwardOtlpHeaders"] = headers;
            });
        // Every host creates its database on the server as it starts.
        if (database is not null)
            foreach (var host in builder.Resources.OfType<ExecutableResource>().Where(r => r.HasAnnotationOfType<HubInstanceAnnotation>()).ToList())
                builder.CreateResourceBuilder(host).WaitFor(database);
    }

    /// <summary>An agency's instances, each known to the gateway as a destination of the agency's clusters.</summary>
    private static void AddAgency(this IDistributedApplicationBuilder builder, HubHost agency, IResourceBuilder<ExecutableResource> gateway,
        string brokerUrl, IResourceBuilder<ExecutableResource>? broker, HubSettings settings)
    {
        // The agency's key for the hub's OTLP collector: fresh for each run, so no development key exists to leak.
        var collectorKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        gateway.WithEnvironment($"Lgsp__Ops__CollectorKeys__{agency.ProjectName}", collectorKey);
        IResourceBuilder<ExecutableResource>? first = null;
        for (var instance = 1; instance <= settings.InstancesOf(agency.Name); instance++)
        {
            var host = builder.AddHost(agency, instance, settings)
                .WithEnvironment("ConnectionStrings__rabbitmq", brokerUrl)
                .WithEnvironment("ConnectionStrings__database", settings.DatabaseOf(agency.Name))
                // Telemetry goes to the hub's collector in the gateway (for /ops), which passes it on to the dashboard.
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", LoopbackUrl(gateway))
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_EXPORTER_OTLP_HEADERS", $"Authorization=Bearer {collectorKey}")
                // Where it asks for tokens and what its OpenAPI document names as the server: the gateway of this run.
                .WithEnvironment("Gateway__Url", LoopbackUrl(gateway));
            foreach (var (key, value) in settings.Seed)
                host.WithEnvironment($"Seed__{key}", value);
            if (broker is not null)
                host.WaitFor(broker);
            // Further instances start once the first has created and seeded the database they share.
            if (first is not null)
                host.WaitFor(first);
            first ??= host;
            var destination = instance == 1 ? "primary" : host.Resource.Name;
            gateway.WithEnvironment($"ReverseProxy__Clusters__{agency.Name}__Destinations__{destination}__Address", LoopbackUrl(host));
        }
    }

    /// <summary>
    /// The n-th instance of a host, on its launch profile's port (or the n-th port above it), health checked. It runs
    /// the host's build (the configuration the AppHost was built in) with dotnet, as ./lgsp up always has: not through
    /// `dotnet run`, which would build each project again, six at once, on every start.
    /// </summary>
    private static IResourceBuilder<ExecutableResource> AddHost(this IDistributedApplicationBuilder builder, HubHost host, int instance, HubSettings settings)
    {
        var resource = builder.AddExecutable(host.InstanceName(instance), "dotnet", host.BuildDirectory(BuildConfiguration), host.ProjectName + ".dll")
            .WithHttpEndpoint(port: settings.DynamicPorts ? null : host.InstancePort(instance), name: "http", isProxied: false)
            .WithOtlpExporter()
            .WithHttpHealthCheck("/health/ready")
            .WithAnnotation(new HubInstanceAnnotation());
        return resource
            .WithEnvironment("ASPNETCORE_URLS", LoopbackUrl(resource))
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment(context =>
            {
                // Aspire's development defaults turn off the redaction of query strings in HTTP spans; the hub keeps it.
                context.EnvironmentVariables.Remove("OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION");
                context.EnvironmentVariables.Remove("OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION");
            });
    }

    /// <summary>Release or Debug: the AppHost's own output folder is bin/&lt;configuration&gt;/&lt;framework&gt;.</summary>
    private static string BuildConfiguration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>A host's URL on 127.0.0.1, where every host listens (localhost would also try ::1 first on some machines).</summary>
    private static ReferenceExpression LoopbackUrl(IResourceBuilder<ExecutableResource> host) =>
        ReferenceExpression.Create($"http://127.0.0.1:{host.GetEndpoint("http").Property(EndpointProperty.TargetPort)}");
}
