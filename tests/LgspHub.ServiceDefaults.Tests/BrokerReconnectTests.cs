using LgspHub.Messaging;
using MassTransit;
using MassTransit.RetryPolicies;

namespace LgspHub.ServiceDefaults.Tests;

public sealed class BrokerReconnectTests
{
    [Fact]
    public void A_transport_that_lost_the_broker_tries_again_within_seconds_and_for_the_same_failures_as_before()
    {
        IRetryPolicy? policy = null;
        Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri("amqp://guest:guest@127.0.0.1:1/"));
            policy = BrokerReconnect.RetrySooner(rabbit);
        });

        var exponential = Assert.IsType<ExponentialRetryPolicy>(policy);
        var waits = Enumerable.Range(0, 12).Select(exponential.GetRetryInterval).ToList();
        // MassTransit adds ±25 % to each wait.
        Assert.All(waits, wait => Assert.InRange(wait, TimeSpan.FromSeconds(1), BrokerReconnect.Longest * 1.25));
        // The first: the 1 s floor plus 0.8 to 1.2 s, then ±25 %, so up to 2.75 s (MassTransit's own first wait was 6 s).
        Assert.True(waits[0] <= TimeSpan.FromSeconds(2.75), $"first wait {waits[0]}");
        // MassTransit's own filter: a lost connection is retried, a refused login is not.
        Assert.True(exponential.IsHandled(new ConnectionException("the broker went away")));
        Assert.False(exponential.IsHandled(new RabbitMQ.Client.Exceptions.AuthenticationFailureException("refused")));
        Assert.Equal(1000, exponential.RetryLimit);
    }
}
