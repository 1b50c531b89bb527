using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using LgspHub.Gateway.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LgspHub.Gateway.Tests;

/// <summary>
/// The gateway in process, with consumers and settings of the test's own, its own database, and the
/// caller's address taken from <see cref="PeerHeader"/> so a test can call from several networks.
/// </summary>
public sealed class GatewayHost(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
{
    public const string PeerHeader = "X-Test-Peer";

    // One signing key for every host of the run, as the gateways of one hub share theirs. Without it each host would
    // generate an RSA key as it starts, a second or more of CPU each.
    private static readonly string SigningKey = TokenSigningKey.NewKey();

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"lgsp-gateway-test-{Guid.NewGuid():N}.db");

    /// <summary>The registration of a consumer, as configuration keys.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Consumer(string id, string? secret, int requestsPerSecond = 100_000, params string[] rights)
    {
        var prefix = $"{LgspOptions.Section}:{nameof(LgspOptions.Consumers)}:{id}:";
        yield return new(prefix + nameof(ConsumerSystem.DisplayName), id);
        yield return new(prefix + nameof(ConsumerSystem.SecretHash), secret is null ? "" : ConsumerSystem.HashSecret(secret));
        yield return new(prefix + nameof(ConsumerSystem.RequestsPerSecond), requestsPerSecond.ToString(CultureInfo.InvariantCulture));
        yield return new(prefix + nameof(ConsumerSystem.Burst), requestsPerSecond.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < rights.Length; i++)
            yield return new($"{prefix}{nameof(ConsumerSystem.Rights)}:{i}", rights[i]);
    }

    /// <summary>A client whose requests come from <paramref name="peer"/>.</summary>
    public HttpClient ClientFrom(string peer)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(PeerHeader, peer);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:database", $"Data Source={_database}");
        builder.UseSetting($"{LgspOptions.Section}:{nameof(LgspOptions.Tokens)}:{nameof(TokenOptions.SigningKey)}", SigningKey);
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, PeerFromHeader>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
            File.Delete(file);
    }

    private sealed class PeerFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers[PeerHeader] is [{ } peer])
                    context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Counts one instrument of one gateway host's meters (other hosts in the test run have their own).</summary>
public sealed class CounterWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterWatch(IServiceProvider services, string meter, string instrument)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (published, listener) =>
        {
            if (published.Meter.Scope == factory && published.Meter.Name == meter && published.Name == instrument)
                listener.EnableMeasurementEvents(published);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
