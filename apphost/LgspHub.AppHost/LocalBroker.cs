using LgspHub.LocalHub;

namespace LgspHub.AppHost;

/// <summary>
/// Debian's rabbitmq-server as the hub's private node (<see cref="BrokerNode.Hub"/>), an executable resource: there is
/// no container engine here for Aspire's RabbitMQ integration.
/// </summary>
internal static class LocalBroker
{
    public const string Name = "broker";

    public static IResourceBuilder<ExecutableResource> AddLocalBroker(this IDistributedApplicationBuilder builder, HubSettings settings, BrokerNode node)
    {
        if (!File.Exists(BrokerNode.Server))
            throw new InvalidOperationException($"{BrokerNode.Server} is missing: ./lgsp up installs Debian's rabbitmq-server; or name a broker of your own with ConnectionStrings:rabbitmq.");
        node.Prepare(settings.RepositoryRoot);
        var broker = builder.AddExecutable(Name, BrokerNode.Server, node.Directory)
            .WithEndpoint(port: node.AmqpPort, name: "amqp", scheme: "amqp", isProxied: false)
            .WithHttpEndpoint(port: node.ManagementPort, name: "management", isProxied: false)
            // The management plugin answers once the node has booted, its AMQP listener with it.
            .WithHttpHealthCheck("/", endpointName: "management");
        foreach (var (name, value) in node.Environment)
            broker.WithEnvironment(name, value);
        return broker;
    }
}
