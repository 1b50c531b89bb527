using System.Text.RegularExpressions;

namespace LgspHub.Deploy.Tests;

/// <summary>
/// The broker definitions give each agency a user of its own, whose permissions follow the code: it publishes the
/// events it creates and no other, reads its own queues and the events it consumes, and touches no other agency's
/// queue. RabbitMQ matches resource names against these patterns; the end-to-end suite runs the hub with them.
/// </summary>
public class BrokerUsersTests
{
    private static readonly BrokerDefinitions Definitions = Broker.Definitions;

    [Fact]
    public void There_is_one_broker_user_per_agency_and_one_for_the_gateway()
    {
        Assert.Equal(HubCode.Agencies.Select(a => a.Name).Append("lgsp-gateway").Order(StringComparer.Ordinal), Definitions.Users.Order(StringComparer.Ordinal));
        Assert.Equal(Definitions.Users.Count, Definitions.Users.Select(Definitions.PasswordVariableOf).Distinct().Count());
    }

    [Fact]
    public void Each_agency_may_publish_the_events_it_creates_and_no_other()
    {
        foreach (var agency in HubCode.Agencies)
        {
            var write = Definitions.PermissionsOf(agency.Name, "/")!.Value.Write;
            foreach (var message in HubCode.Events)
                Assert.True(HubCode.Publishes(agency).Contains(message) == Regex.IsMatch(Exchange(message), write),
                    $"{agency.Name} {(HubCode.Publishes(agency).Contains(message) ? "may not" : "may")} publish {message}");
            // The default exchange reaches every queue by its name.
            Assert.DoesNotMatch(write, "amq.default");
        }
    }

    [Fact]
    public void Each_agency_reads_the_events_it_consumes_and_its_own_queues_only()
    {
        foreach (var agency in HubCode.Agencies)
        {
            var (configure, write, read) = Definitions.PermissionsOf(agency.Name, "/")!.Value;
            foreach (var message in HubCode.Events)
                Assert.True(HubCode.Consumes(agency).Contains(message) == Regex.IsMatch(Exchange(message), read),
                    $"{agency.Name} {(HubCode.Consumes(agency).Contains(message) ? "may not" : "may")} read {message}");
            var own = $"{agency.Name}-death-registered";
            Assert.All(new[] { configure, write, read }, pattern => Assert.Matches(pattern, own));
            Assert.All(new[] { configure, write, read }, pattern => Assert.Matches(pattern, own + "_error"));
            foreach (var other in HubCode.Agencies.Where(a => a != agency))
                Assert.All(new[] { configure, write, read }, pattern => Assert.DoesNotMatch(pattern, $"{other.Name}-death-registered"));
        }
    }

    [Fact]
    public void The_gateway_s_user_may_only_look()
    {
        var (configure, write, read) = Definitions.PermissionsOf("lgsp-gateway", "/")!.Value;

        foreach (var resource in HubCode.Events.Select(Exchange).Concat(HubCode.Agencies.Select(a => $"{a.Name}-death-registered")).Append("amq.default"))
            Assert.All(new[] { configure, write, read }, pattern => Assert.DoesNotMatch(pattern, resource));
    }

    /// <summary>MassTransit's exchange for a message type: namespace, colon, type name.</summary>
    private static string Exchange(string message) => $"LgspHub.Contracts:{message}";
}
