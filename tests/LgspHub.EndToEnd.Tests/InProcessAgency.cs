using System.Collections.Concurrent;
using LgspHub.AgencyDefaults;
using LgspHub.Data;
using LgspHub.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.EndToEnd.Tests;

/// <summary>
/// An agency's messaging and outbox as every agency sets them up (AddMessaging, AddAgencyDatabase), in this
/// process, on a broker and a database of the test's own; with the consumers the test gives.
/// </summary>
public sealed class InProcessAgency : IAsyncDisposable
{
    public sealed class Db(DbContextOptions<Db> options) : AgencyDbContext(options);

    private readonly IHost _host;
    private readonly string _folder;

    private InProcessAgency(IHost host, string folder, ConcurrentQueue<string> problems) => (_host, _folder, Problems) = (host, folder, problems);

    /// <summary>Every warning and error the host logged, as "category: message (exception types, outermost first)".</summary>
    public ConcurrentQueue<string> Problems { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<InProcessAgency> StartAsync(string agency, Uri broker, IReadOnlyDictionary<string, string?>? settings = null, params Type[] consumers)
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-agency-").FullName;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:rabbitmq"] = broker.ToString();
        builder.Configuration["ConnectionStrings:database"] = $"Data Source={Path.Combine(folder, agency + ".db")};Pooling=false";
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var problems = new ConcurrentQueue<string>();
        builder.Logging.AddProvider(new ProblemLog(problems));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddAgencyDatabase<Db>(agency);
        builder.AddMessaging(agency, consumers);
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(host => host.WaitUntilStarted = true);
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<Db>().EnsureSqliteSchemaAsync(NullLogger.Instance);
        await host.StartAsync();
        return new InProcessAgency(host, folder, problems);
    }

    /// <summary>Writes events to the outbox in one commit, as an agency's unit of work does.</summary>
    public async Task PublishOnCommitAsync<T>(T message) where T : class
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Db>();
        db.PublishOnCommit(message);
        await db.SaveChangesAsync();
    }

    public async Task<int> UnsentAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Db>().Outbox.CountAsync(m => m.SentAt == null);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class ProblemLog(ConcurrentQueue<string> problems) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, problems);

        public void Dispose()
        {
        }

        private static IEnumerable<Exception> Chain(Exception? exception)
        {
            for (var e = exception; e is not null; e = e.InnerException)
                yield return e;
        }

        private sealed class Logger(string category, ConcurrentQueue<string> problems) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    problems.Enqueue($"{category}: {formatter(state, exception)} ({string.Join(" < ", Chain(exception).Select(e => e.GetType().Name))})");
            }
        }
    }
}
