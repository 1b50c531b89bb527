using LgspHub.Gateway.Operations;
using LgspHub.Messaging;

namespace LgspHub.Gateway.Tests;

public class FlowStatisticsTests
{
    private const string Queue = "health-insurance-child-personal-id-issued";

    [Fact]
    public void A_delivery_fails_only_in_the_error_queue_and_an_attempt_that_comes_again_is_neither_success_nor_failure()
    {
        var flows = new FlowStatistics(TimeProvider.System);

        // The same event, interrupted by a broker restart (its receive span in error), then consumed.
        flows.Observe(Receive(DeliveryOutcome.Interrupted, error: true));
        flows.Observe(Receive(DeliveryOutcome.Consumed));
        // Another, redelivered twice through the wait queues, then moved to the error queue (a span without error).
        flows.Observe(Receive(DeliveryOutcome.Redelivered));
        flows.Observe(Receive(DeliveryOutcome.Redelivered));
        flows.Observe(Receive(DeliveryOutcome.ErrorQueue));
        // A span that says nothing of its delivery, and one no consumer took: neither is counted.
        flows.Observe(Receive(null, error: true));
        flows.Observe(Receive(DeliveryOutcome.Skipped));

        var delivery = Assert.Single(flows.Deliveries(TimeSpan.FromMinutes(5)));
        Assert.Equal(new DeliveryFigures(Queue, "health-insurance", Succeeded: 1, Failed: 1, Redelivered: 3), delivery);
        Assert.Equal(0.5, delivery.SuccessRate);
    }

    private static ReceivedSpan Receive(string? outcome, bool error = false)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var attributes = outcome is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [DeliveryOutcome.Tag] = outcome };
        return new ReceivedSpan("LgspHub.HealthInsurance", new string('a', 32), new string('b', 16), "", $"{Queue} receive", 5, now - 1_000_000, now, error ? 2 : 1, attributes);
    }
}
