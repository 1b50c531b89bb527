using LgspHub.Messaging;
using Microsoft.Extensions.Hosting;

namespace LgspHub.ServiceDefaults.Tests;

/// <summary>The redelivery schedule: configured once for the bus, the default replaced rather than added to, nonsense refused at start.</summary>
public sealed class MessagingOptionsTests
{
    [Fact]
    public void A_configured_schedule_replaces_the_default_seconds_then_minutes()
    {
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)], new MessagingOptions().RedeliverySchedule);

        var configured = new MessagingOptions { Redelivery = [TimeSpan.FromSeconds(1)] };

        Assert.Equal([TimeSpan.FromSeconds(1)], configured.RedeliverySchedule);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("2.00:00:00")]
    public void An_agency_refuses_to_start_with_a_wait_that_is_not_between_zero_and_a_day(string wait)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[$"{MessagingOptions.Section}:{nameof(MessagingOptions.Redelivery)}:0"] = "00:00:05";
        builder.Configuration[$"{MessagingOptions.Section}:{nameof(MessagingOptions.Redelivery)}:1"] = wait;

        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddMessaging("population"));

        Assert.Contains("Lgsp:Messaging:Redelivery", refused.Message, StringComparison.Ordinal);
    }
}
