using Microsoft.EntityFrameworkCore;

namespace LgspHub.Gateway.Transactions;

public static class TransactionRecords
{
    /// <summary>The gateway's database, the transaction log and the audit it writes, and their readiness check.</summary>
    public static IHostApplicationBuilder AddTransactionRecords(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<RecordOptions>(builder.Configuration.GetSection(RecordOptions.Section));
        services.AddDbContext<GatewayDb>(options => GatewayDb.UseStore(options, builder.Configuration));
        services.AddSingleton<TransactionLog>();
        // Audit subjects are stored and searched by this hash, never as personal IDs.
        services.AddSingleton<SubjectHasher>();
        services.AddHostedService(provider => provider.GetRequiredService<TransactionLog>());
        services.AddHealthChecks().AddCheck<RecordsHealthCheck>("records");
        return builder;
    }

    /// <summary>Outermost: every request is recorded, refused ones and errors included.</summary>
    public static WebApplication UseTransactionRecords(this WebApplication app)
    {
        app.UseMiddleware<TransactionRecorder>();
        return app;
    }
}
