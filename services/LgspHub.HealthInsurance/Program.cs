using LgspHub.HealthInsurance;
using LgspHub.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddAgencyDatabase<HealthInsuranceDb>(HealthInsuranceApi.Agency);
builder.AddMessaging(HealthInsuranceApi.Agency);
builder.AddHealthInsuranceApi();

var app = builder.Build();
await app.InitializeDatabaseAsync<HealthInsuranceDb, Card>(HealthInsuranceDb.Seed);
app.MapDefaultEndpoints();
app.MapHealthInsuranceApi();
app.Run();
