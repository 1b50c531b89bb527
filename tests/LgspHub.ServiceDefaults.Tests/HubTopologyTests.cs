using LgspHub.Contracts;
using LgspHub.Messaging;
using LgspHub.Messaging.AsyncApi;
using MassTransit;

namespace LgspHub.ServiceDefaults.Tests;

public sealed class BirthDeclaredConsumer : IConsumer<BirthDeclared>
{
    public Task Consume(ConsumeContext<BirthDeclared> context) => Task.CompletedTask;
}

public sealed class SecondBirthDeclaredConsumer : IConsumer<BirthDeclared>, IConsumer<DeathDeclared>
{
    public Task Consume(ConsumeContext<BirthDeclared> context) => Task.CompletedTask;

    public Task Consume(ConsumeContext<DeathDeclared> context) => Task.CompletedTask;
}

/// <summary>The hub's one list of who consumes what, and the check each agency makes of it at start.</summary>
public sealed class HubTopologyTests
{
    private static KebabCaseEndpointNameFormatter Names(string agency) => new(agency + "-", includeNamespace: false);

    [Fact]
    public void A_consumer_listed_for_its_agency_with_the_same_events_passes()
    {
        Assert.Empty(HubTopology.Mismatches("population", Names("population"), [typeof(BirthDeclaredConsumer)]));
    }

    [Fact]
    public void A_consumer_of_hub_events_not_listed_for_its_agency_is_named()
    {
        var mismatch = Assert.Single(HubTopology.Mismatches("land", Names("land"), [typeof(BirthDeclaredConsumer)]));
        Assert.Contains("land-birth-declared", mismatch, StringComparison.Ordinal);

        var other = Assert.Single(HubTopology.Mismatches("population", Names("population"), [typeof(SecondBirthDeclaredConsumer)]));
        Assert.Contains("population-second-birth-declared", other, StringComparison.Ordinal);
    }

    [Fact]
    public void Consumers_of_messages_outside_the_contracts_are_not_the_hubs_concern()
    {
        Assert.Empty(HubTopology.Mismatches("population", Names("population"), [typeof(PingConsumer)]));
    }

    [Fact]
    public void Every_contract_event_has_a_consumer_so_a_mandatory_publish_of_it_is_never_returned_for_good()
    {
        // The contracts' records (C# gives each a <Clone>$ method) are the events, but for an address they carry.
        var events = typeof(BirthDeclared).Assembly.GetTypes().Where(t => t.IsClass && t.GetMethod("<Clone>$") is not null && t != typeof(ResidenceAddress)).ToList();
        var consumed = HubTopology.Endpoints.SelectMany(e => e.Messages).ToHashSet();

        Assert.Contains(typeof(CitizenDetailsChanged), events);
        Assert.All(events, e => Assert.Contains(e, consumed));
        Assert.Equal(HubTopology.Endpoints.Count, HubTopology.Endpoints.Select(e => e.Queue).Distinct().Count());
    }

    [Fact]
    public void Every_contract_event_has_its_publisher_and_an_example_so_the_AsyncAPI_document_lists_it()
    {
        var events = typeof(BirthDeclared).Assembly.GetTypes().Where(t => t.IsClass && t.GetMethod("<Clone>$") is not null && t != typeof(ResidenceAddress)).ToHashSet();

        Assert.Equal(events.OrderBy(e => e.Name), HubTopology.Publishers.Keys.OrderBy(e => e.Name));
        Assert.Equal(events.OrderBy(e => e.Name), EventExamples.ByType.Keys.OrderBy(e => e.Name));
        Assert.All(HubTopology.Publishers.Values, agency => Assert.Contains(agency, HubTopology.Endpoints.Select(e => e.Agency)));
    }

    [Fact]
    public void The_AsyncAPI_document_names_each_events_exchange_as_MassTransit_publishes_it_with_a_send_and_each_queues_receive()
    {
        var document = AsyncApiDocument.Create("127.0.0.1:5673");

        var channel = document["channels"]!["BirthRegistered"]!;
        Assert.Equal("LgspHub.Contracts:BirthRegistered", channel["address"]!.GetValue<string>());
        Assert.Equal("fanout", channel["bindings"]!["amqp"]!["exchange"]!["type"]!.GetValue<string>());
        var operations = document["operations"]!.AsObject().Select(o => o.Key).ToList();
        Assert.Contains("civil-status.publish.BirthRegistered", operations);
        Assert.Contains("population-birth-registered.receive.BirthRegistered", operations);
        Assert.Equal(HubTopology.Publishers.Count + HubTopology.Endpoints.Sum(e => e.Messages.Count(HubTopology.Publishers.ContainsKey)), operations.Count);
        var example = document["components"]!["messages"]!["BirthRegistered"]!["examples"]![0]!["payload"]!["message"]!;
        Assert.Equal("KS-20815-2026-000123", example["registrationNumber"]!.GetValue<string>());
    }
}
