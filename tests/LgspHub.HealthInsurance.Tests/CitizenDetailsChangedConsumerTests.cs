using LgspHub.Contracts;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.HealthInsurance.Tests;

public sealed class CitizenDetailsChangedConsumerTests : IAsyncLifetime, IDisposable
{
    private static readonly PersonalId Holder = PersonalId.Create("049", Sex.Female, 1990, 4_242);

    // One open connection keeps the in-memory database alive across scopes.
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _services = new ServiceCollection()
            .AddDbContext<HealthInsuranceDb>(options => options.UseSqlite(_connection))
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddConsumer<CitizenDetailsChangedConsumer>();
                // The harness stops waiting after a quiet spell (6 s by default: too short on a loaded CI machine); the
                // checks that nothing faulted wait that long, so keep it short still.
                bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(10));
            })
            .BuildServiceProvider(validateScopes: true);

        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthInsuranceDb>();
        await db.Database.EnsureCreatedAsync();
        db.Cards.Add(new Card
        {
            PersonalId = Holder,
            CardNumber = "GD4499190004242",
            HolderName = "Trần Thị Lan",
            DateOfBirth = new DateOnly(1990, 3, 4),
            BeneficiaryGroup = "GD",
            ValidFrom = new DateOnly(2026, 1, 1),
            ValidTo = new DateOnly(2026, 12, 31),
            PrimaryCareFacility = "Trung tâm Y tế thành phố Tam Kỳ",
        });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_name_correction_is_copied_onto_the_card_and_a_redelivery_changes_nothing_more()
    {
        var harness = _services.GetRequiredService<ITestHarness>();
        await harness.Start();
        var changed = new CitizenDetailsChanged(Holder, "Trần Thị Lan Anh", new DateOnly(1990, 3, 4), Sex.Female, "Thôn 3, Xã Tam Thăng", DateTimeOffset.UnixEpoch);

        await harness.Bus.Publish(changed);
        await harness.Bus.Publish(changed);

        var consumer = harness.GetConsumerHarness<CitizenDetailsChangedConsumer>();
        var consumed = AsyncElementListExtensions.Take(consumer.Consumed.SelectAsync<CitizenDetailsChanged>(), 2);
        Assert.Equal(2, await AsyncElementListExtensions.Count(consumed));
        Assert.False(await harness.Published.Any<Fault<CitizenDetailsChanged>>());
        await using var scope = _services.CreateAsyncScope();
        var card = await scope.ServiceProvider.GetRequiredService<HealthInsuranceDb>().Cards.SingleAsync();
        Assert.Equal("Trần Thị Lan Anh", card.HolderName);
        Assert.Equal("GD4499190004242", card.CardNumber);
    }

    [Fact]
    public async Task A_change_to_someone_without_a_card_is_consumed_without_fault()
    {
        var harness = _services.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new CitizenDetailsChanged(
            PersonalId.Create("001", Sex.Male, 1970, 1), "Lê Văn Nam", new DateOnly(1970, 1, 1), Sex.Male, "Hà Nội", DateTimeOffset.UnixEpoch));

        Assert.True(await harness.GetConsumerHarness<CitizenDetailsChangedConsumer>().Consumed.Any<CitizenDetailsChanged>());
        Assert.False(await harness.Published.Any<Fault<CitizenDetailsChanged>>());
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _connection.DisposeAsync();
    }

    public void Dispose() => _connection.Dispose();
}
