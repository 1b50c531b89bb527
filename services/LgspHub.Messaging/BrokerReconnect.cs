using System.Reflection;
using MassTransit;
using MassTransit.RetryPolicies;

namespace LgspHub.Messaging;

/// <summary>
/// How soon an agency consumes again once the broker is back. MassTransit 8.5 hard-codes the back-off of a receive
/// transport that lost its broker (RabbitMqHostConfiguration: 6, 9, 15, 27, then 30 s apart, each ±25 %): in the
/// suite's broker-restart tests the agencies consumed again 12 to 20 s after the broker was back, and up to 30 s by
/// that schedule, while a province's events waited. MassTransit offers no setting for it and its
/// next major version is not open source, so this keeps MassTransit's own exception filter and retry limit and replaces
/// only the intervals: 2 s, then 3 s, then 5 s apart at most. Through reflection, on the pinned 8.5.12: should MassTransit
/// move these fields, the hosts fail at start, naming this class, and the Messaging tests fail too.
/// </summary>
public static class BrokerReconnect
{
    /// <summary>The longest wait between two attempts, before MassTransit's ±25 %.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(5);

    /// <summary>Gives the bus's receive (and send) transports the shorter back-off; returns the policy they now use.</summary>
    public static IRetryPolicy RetrySooner(IRabbitMqBusFactoryConfigurator rabbit)
    {
        var host = Field(rabbit, "_hostConfiguration").GetValue(rabbit)!;
        var policy = Field(host, "<ReceiveTransportRetryPolicy>k__BackingField");
        var hardCoded = (ExponentialRetryPolicy)policy.GetValue(host)!;
        var filter = (IExceptionFilter)Field(hardCoded, "_filter").GetValue(hardCoded)!;
        var sooner = new ExponentialRetryPolicy(filter, hardCoded.RetryLimit, TimeSpan.FromSeconds(1), Longest, TimeSpan.FromSeconds(1));
        policy.SetValue(host, sooner);
        return sooner;
    }

    private static FieldInfo Field(object owner, string name) =>
        owner.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new InvalidOperationException($"MassTransit no longer has {owner.GetType().Name}.{name}: see {nameof(BrokerReconnect)}, which sets the receive transports' back-off through it.");
}
