namespace LgspHub.EndToEnd.Tests;

/// <summary>A RabbitMQ node ./lgsp test started for the suite: its AMQP URL and its management API's.</summary>
public sealed record TestBroker(Uri Url, Uri ManagementUrl)
{
    /// <summary>The broker every test shares and none stops (LGSP_RABBITMQ_URL, or one's own broker by it).</summary>
    public static TestBroker Suite => FromEnvironment("LGSP_RABBITMQ");

    /// <summary>
    /// The outage tests' own node (LGSP_OUTAGE_RABBITMQ_URL), which they kill, stop and start with ./lgsp broker
    /// --node outage: the rest of the suite runs beside them on <see cref="Suite"/>, undisturbed.
    /// </summary>
    public static TestBroker Outage => FromEnvironment("LGSP_OUTAGE_RABBITMQ");

    private static TestBroker FromEnvironment(string prefix) => new(
        new Uri(Variable(prefix + "_URL", "a RabbitMQ broker")),
        new Uri(Variable(prefix + "_MANAGEMENT_URL", "RabbitMQ with its management API")));

    private static string Variable(string name, string what) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the suite with ./lgsp test, which starts {what}.");
}
