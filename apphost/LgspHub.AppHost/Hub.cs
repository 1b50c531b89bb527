using System.Security.Cryptography;

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
        var (brokerUrl, managementUrl, broker) = settings.BrokerUrl is { } url
            ? (url, settings.BrokerManagementUrl!, null)
            : (LocalBroker.AmqpUrl, LocalBroker.ManagementUrl, builder.AddLocalBroker(settings));

        var gateway = builder.AddHost(HubHosts.Gateway, 1, settings);
        var gatewayUrl = gateway.GetEndpoint("http");
        foreach (var agency in HubHosts.Agencies)
        {
            // Each agency's key for the hub's OTLP collector: fresh for each run, so no development key exists to leak.
            var collectorKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
            var service = Path.GetFileNameWithoutExtension(agency.Project.ProjectPath);
            gateway.WithEnvironment($"Lgsp__Ops__CollectorKeys__{service}", collectorKey);
            IResourceBuilder<ProjectResource>? first = null;
            for (var instance = 1; instance <= settings.InstancesOf(agency.Name); instance++)
            {
                var host = builder.AddHost(agency, instance, settings)
                    .WithEnvironment("ConnectionStrings__rabbitmq", brokerUrl)
                    // The agency's database, shared by its instances.
                    .WithEnvironment("ConnectionStrings__database", $"Data Source={Path.Combine(settings.DataDirectory, agency.Name + ".db")}")
                    // Telemetry goes to the hub's collector in the gateway (for /ops), which passes it on to the dashboard.
                    .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", gatewayUrl)
                    .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                    .WithEnvironment("OTEL_EXPORTER_OTLP_HEADERS", $"Authorization=Bearer {collectorKey}");
                if (broker is not null)
                    host.WaitFor(broker);
                // Further instances start once the first has created and seeded the database they share.
                if (first is not null)
                    host.WaitFor(first);
                first ??= host;
                var destination = instance == 1 ? "primary" : host.Resource.Name;
                var address = host.GetEndpoint("http");
                gateway.WithEnvironment($"ReverseProxy__Clusters__{agency.Name}__Destinations__{destination}__Address", address)
                    .WithEnvironment($"ReverseProxy__Clusters__{agency.Name}-admin__Destinations__{destination}__Address", address);
            }
        }
        gateway.WithEnvironment("ConnectionStrings__database", $"Data Source={Path.Combine(settings.DataDirectory, "gateway.db")}")
            .WithEnvironment("Lgsp__Ops__BrokerManagementUrl", managementUrl)
            .WithEnvironment("Lgsp__Tokens__Issuer", ReferenceExpression.Create($"{gatewayUrl}/"))
            .WithEnvironment(context =>
            {
                // The gateway exports its own telemetry where Aspire points it (the dashboard), and passes on what the
                // agencies send it to the same place, with the same credentials.
                if (context.EnvironmentVariables.TryGetValue("OTEL_EXPORTER_OTLP_ENDPOINT", out var otlp))
                    context.EnvironmentVariables["Lgsp__Ops__ForwardOtlpTo"] = otlp;
                if (context.EnvironmentVariables.TryGetValue("OTEL_EXPORTER_OTLP_HEADERS", out var headers))
                    context.EnvironmentVariables["Lgsp__Ops__ForwardOtlpHeaders"] = headers;
            });
    }

    /// <summary>The n-th instance of a host, on its launch profile's port (or the n-th port above it), health checked.</summary>
    private static IResourceBuilder<ProjectResource> AddHost(this IDistributedApplicationBuilder builder, HubHost host, int instance, HubSettings settings)
    {
        var firstPort = LaunchProfilePort(host);
        int? port = settings.DynamicPorts ? null : HubHost.InstancePort(firstPort, instance);
        return builder.AddProject(host.InstanceName(instance), host.Project.ProjectPath, options => options.ExcludeLaunchProfile = true)
            .WithHttpEndpoint(port: port, name: "http", isProxied: false)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithHttpHealthCheck("/health/ready");
    }

    /// <summary>The port of the host's http launch profile: Properties/launchSettings.json is where each host's port is written.</summary>
    private static int LaunchProfilePort(HubHost host)
    {
        var file = Path.Combine(Path.GetDirectoryName(host.Project.ProjectPath)!, "Properties", "launchSettings.json");
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        var url = document.RootElement.GetProperty("profiles").GetProperty("http").GetProperty("applicationUrl").GetString()!;
        return new Uri(url.Split(';')[0]).Port;
    }
}
