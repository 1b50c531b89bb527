using LgspHub.Gateway.Access;
using LgspHub.Gateway.Operations;
using LgspHub.Gateway.Proxy;
using LgspHub.Gateway.Transactions;
using LgspHub.ServiceDefaults;

if (args is ["hash-secret", var secret])
{
    // For registering a consumer: prints the hash to put in Lgsp:Consumers:<id>:SecretHash.
    Console.WriteLine(ConsumerSystem.HashSecret(secret));
    return;
}

if (args.Contains("--Lgsp:Checks=false") || Environment.GetEnvironmentVariable("Lgsp__Checks") == "false")
{
    LgspHub.Gateway.Baseline.Run(args);
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLgspAccess();
builder.AddOps();
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy")).AddLgspTransforms().AddBulkhead(builder.Configuration);

var app = builder.Build();
app.UseTransactionRecords();
app.MapDefaultEndpoints();
app.UseLgspAccess();
app.MapTokenEndpoint();
app.MapRecordsApi();
app.MapCatalog();
app.MapOpsApi();
app.MapReverseProxy(proxy =>
{
    proxy.Use(PersonalDataPurpose.RequireAsync);
    proxy.Use(EveryInstance.ForwardAsync);
    proxy.Use(Failover.RetryElsewhereAsync);
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UseBulkhead();
    proxy.UsePassiveHealthChecks();
});
app.Run();
