using LgspHub.Contracts;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.HealthInsurance.Tests;

public sealed class CheckInWriterTests : IAsyncLifetime, IDisposable
{
    // One open connection keeps the in-memory database alive across scopes; the writer is its only user.
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private ServiceProvider _services = null!;
    private CheckInWriter _writer = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _services = new ServiceCollection()
            .AddDbContext<HealthInsuranceDb>(options => options.UseSqlite(_connection))
            .BuildServiceProvider(validateScopes: true);
        await using (var scope = _services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<HealthInsuranceDb>().Database.EnsureCreatedAsync();
        _writer = new CheckInWriter(_services.GetRequiredService<IServiceScopeFactory>(), NullLogger<CheckInWriter>.Instance);
        await _writer.StartAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Every_check_in_sent_at_once_is_written_before_its_caller_goes_on()
    {
        var checkIns = Enumerable.Range(0, 300).Select(CheckIn).ToList();

        await Task.WhenAll(checkIns.Select(c => _writer.WriteAsync(c, CancellationToken.None)));

        Assert.Equal(checkIns.Select(c => c.Id).Order(), (await StoredIdsAsync()).Order());
    }

    [Fact]
    public async Task A_check_in_that_cannot_be_written_fails_alone()
    {
        var first = CheckIn(1);
        await _writer.WriteAsync(first, CancellationToken.None);
        var others = Enumerable.Range(2, 50).Select(CheckIn).ToList();
        var duplicate = CheckIn(1, first.Id);

        var writes = others.Select(c => _writer.WriteAsync(c, CancellationToken.None)).Append(_writer.WriteAsync(duplicate, CancellationToken.None)).ToList();
        await Assert.ThrowsAnyAsync<Exception>(() => writes[^1]);
        await Task.WhenAll(writes.Take(others.Count));

        Assert.Equal(others.Select(c => c.Id).Append(first.Id).Order(), (await StoredIdsAsync()).Order());
    }

    private async Task<List<Guid>> StoredIdsAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HealthInsuranceDb>().CheckIns.Select(c => c.Id).ToListAsync();
    }

    private static CheckIn CheckIn(int serial) => CheckIn(serial, Guid.CreateVersion7());

    private static CheckIn CheckIn(int serial, Guid id) => new()
    {
        Id = id,
        PersonalId = PersonalId.Create("049", Sex.Male, 1980, serial),
        Facility = "Trung tâm Y tế thành phố Tam Kỳ",
        At = DateTimeOffset.UnixEpoch,
        Covered = true,
    };

    public async Task DisposeAsync()
    {
        await _writer.StopAsync(CancellationToken.None);
        _writer.Dispose();
        await _services.DisposeAsync();
    }

    public void Dispose() => _connection.Dispose();
}
