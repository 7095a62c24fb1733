// Shared test set-up: tests never reach a real AWS endpoint or real credentials.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIAIOSFODNN7EXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY ??= 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

// The SDK's warning about Node 20 is noise in test output.
import '../local/quiet-sdk.js';
