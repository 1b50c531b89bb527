using LgspHub.Contracts;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// Each agency joins the bus as its own broker user (the hub under test runs so): it publishes the events it owns
/// and reads its own queues, and the broker refuses the rest. Population cannot forge a death.
/// </summary>
[Collection(HubTests.Name)]
public sealed class BrokerUserTests(HubFixture hub)
{
    private const ushort AccessRefused = 403;

    [Theory]
    [InlineData("population", "LgspHub.Contracts:DeathRegistered")]
    [InlineData("land", "LgspHub.Contracts:ChildPersonalIdIssued")]
    [InlineData("health-insurance", "LgspHub.Contracts:BirthRegistered")]
    public async Task An_agency_cannot_publish_an_event_another_agency_owns(string agency, string exchange)
    {
        await using var connection = await ConnectAsync(agency);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));

        var refused = await Record.ExceptionAsync(async () =>
            await channel.BasicPublishAsync(exchange, "", mandatory: false, new BasicProperties(), Encoding.UTF8.GetBytes("{}")));

        Assert.NotNull(refused);
        Assert.Equal(AccessRefused, channel.CloseReason?.ReplyCode);
    }

    [Theory]
    [InlineData("population", "land-death-registered")]
    [InlineData("land", "population-death-registered")]
    public async Task An_agency_cannot_read_another_agency_s_queue(string agency, string queue)
    {
        await using var connection = await ConnectAsync(agency);
        await using var channel = await connection.CreateChannelAsync();

        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => channel.BasicGetAsync(queue, autoAck: false));

        Assert.Equal(AccessRefused, refused.ShutdownReason?.ReplyCode);
    }

    [Fact]
    public async Task Every_agency_connects_as_a_user_of_its_own()
    {
        var users = HubAgencies.All.Select(a => new Uri(hub.AgencyBrokerUrl(a)).UserInfo.Split(':')[0]).ToList();

        Assert.Equal(HubAgencies.All, users);
        foreach (var agency in HubAgencies.All)
        {
            await using var connection = await ConnectAsync(agency);
            Assert.True(connection.IsOpen);
        }
    }

    private Task<IConnection> ConnectAsync(string agency) =>
        new ConnectionFactory { Uri = new Uri(hub.AgencyBrokerUrl(agency)), ClientProvidedName = "lgsp-e2e-broker-user" }.CreateConnectionAsync();
}
