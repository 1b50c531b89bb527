using LgspHub.Data;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LgspHub.CivilStatus.Tests;

/// <summary>
/// Civil status's API on a real Kestrel port over a throwaway database of its own, without the seed or a
/// broker: events stay in the outbox, which no dispatcher reads.
/// </summary>
public sealed class CivilStatusHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private CivilStatusHost(WebApplication app, string folder) => (_app, _folder) = (app, folder);

    public HttpClient Client { get; private set; } = null!;

    public static async Task<CivilStatusHost> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("lgsp-civil-api-").FullName;
        var connection = $"Data Source={Path.Combine(folder, "civil-status.db")};Pooling=false";
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        builder.Services.AddDbContext<CivilStatusDb>(options => options.UseSqlite(connection));
        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<CivilStatusDb>().EnsureSqliteSchemaAsync(NullLogger.Instance);
        app.MapDefaultEndpoints();
        app.MapCivilStatusApi();
        await app.StartAsync();
        var host = new CivilStatusHost(app, folder);
        host.Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(20) };
        return host;
    }

    /// <summary>Reads the database as the API left it.</summary>
    public async Task<T> ReadAsync<T>(Func<CivilStatusDb, Task<T>> read)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<CivilStatusDb>());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
