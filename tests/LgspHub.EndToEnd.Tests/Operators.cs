namespace LgspHub.EndToEnd.Tests;

/// <summary>The operator of the development configuration (README's consumers), as an operator signs in to /ops.</summary>
public static class Operators
{
    /// <summary>Registered by the gateway's configuration, not by the tests: its rights include lgsp.ops and registering consumers.</summary>
    public static TestConsumer Development { get; } = new("lgsp.operator", ["lgsp.read-transactions", "lgsp.inject-faults", "lgsp.ops", "lgsp.register-consumer", "lgsp.read-consumers", "lgsp.revoke-consumer"]) { Secret = "operator-dev-secret" };
}
