using LgspHub.Faults;
using LgspHub.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LgspHub.AgencyDefaults;

/// <summary>What an agency host adds to the service defaults: who may call it, its /admin and its injected faults.</summary>
public static class AgencyHost
{
    public static IHostApplicationBuilder AddAgencyDefaults(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        // Its API answers the gateway, its /admin the operators.
        builder.Services.Configure<AgencyAccessOptions>(builder.Configuration.GetSection(AgencyAccessOptions.Section));
        builder.Services.AddSingleton<AgencyAccess>();
        builder.AddFaultInjection();
        return builder;
    }

    /// <summary>The default endpoints, then the access rule, /admin and the injected HTTP faults, in that order.</summary>
    public static WebApplication MapAgencyEndpoints(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        // Before its fault injection and every endpoint, so a caller without the credential reaches nothing.
        app.Use(app.Services.GetRequiredService<AgencyAccess>().InvokeAsync);
        app.MapAdminApi();
        // Injected outage, latency, errors and timeouts on the agency's /api requests (LgspHub.Faults' HttpFaults).
        app.Use(app.Services.GetRequiredService<HttpFaults>().InvokeAsync);
        return app;
    }
}
