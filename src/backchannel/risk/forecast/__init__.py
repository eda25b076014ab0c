"""The structural forecast: country risk of a new mass-killing onset in the next one or two years.

Trained on the Early Warning Project's country-year predictors and scored on EWP's own
fully-out-of-sample protocol (see ``protocol``), side by side with EWP's published forecasts.
"""
