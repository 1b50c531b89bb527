using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// The AsyncAPI document served by the gateway is valid, and enough: a consumer written with plain RabbitMQ.Client,
/// knowing nothing of MassTransit, receives a birth dossier's events by following it alone.
/// </summary>
[Collection(HubTests.Name)]
public sealed class AsyncApiTests(HubFixture hub)
{
    private static readonly string[] BirthEvents = ["BirthDeclared", "BirthParentsVerified", "BirthRegistered", "ChildPersonalIdIssued", "ChildCardIssued"];

    [Fact]
    public async Task The_served_document_passes_the_AsyncAPI_parser_and_its_examples_match_their_schemas()
    {
        var file = Path.Combine(Path.GetTempPath(), $"lgsp-asyncapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await hub.Gateway.GetStringAsync("/asyncapi/v1.json"));
        try
        {
            var (exitCode, output) = await ValidateAsync(file);
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_plain_AMQP_consumer_following_the_document_receives_a_birth_dossiers_events()
    {
        using var anonymous = new HttpClient { BaseAddress = hub.Gateway.BaseAddress };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/asyncapi/v1.json"));
        var exchanges = document.RootElement.GetProperty("channels").EnumerateObject()
            .Where(channel => BirthEvents.Contains(channel.Name))
            .ToDictionary(channel => channel.Name, channel => channel.Value.GetProperty("bindings").GetProperty("amqp").GetProperty("exchange").GetProperty("name").GetString()!);
        Assert.Equal(BirthEvents.Order(), exchanges.Keys.Order());

        var factory = new ConnectionFactory { Uri = hub.Broker.Url };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var exchange in exchanges.Values)
            await channel.QueueBindAsync(queue, exchange, routingKey: "");
        var received = new ConcurrentQueue<(string Type, string DossierId)>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // The envelope as the document describes it: the event's type first in messageType, the event in message.
            using var envelope = JsonDocument.Parse(Encoding.UTF8.GetString(delivery.Body.Span));
            var type = envelope.RootElement.GetProperty("messageType")[0].GetString()!;
            received.Enqueue((type[(type.LastIndexOf(':') + 1)..], envelope.RootElement.GetProperty("message").GetProperty("dossierId").GetString()!));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        var statusUrl = await hub.SubmitAsync("birth", Dossiers.BirthRequest(hub.Mother(15), childName: "Lê Minh Khang"));
        var dossierId = (await hub.WaitForStateAsync(statusUrl, "Completed")).GetProperty("id").GetString()!;

        await Eventually.Get(
            () => Task.FromResult(BirthEvents.All(e => received.Contains((e, dossierId))) ? "" : null),
            TimeSpan.FromSeconds(30),
            () => $"events of the dossier received: {string.Join(", ", received.Where(r => r.DossierId == dossierId).Select(r => r.Type))}");
    }

    private static Task<(int ExitCode, string Output)> ValidateAsync(string file) =>
        ContractLint.RunAsync(TimeSpan.FromSeconds(60), ["validate-asyncapi.mjs", file]);
}
