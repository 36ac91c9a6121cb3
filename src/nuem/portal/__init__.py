"""Heavy sterile neutrino N with transition magnetic moments to the active flavours.

``model`` (the one convention and its converters), ``decay`` (N -> nu gamma, where N
decays), ``upscatter`` (nu X -> N X by photon exchange on nuclei, nucleons and electrons),
``rates`` (solar-neutrino electron-recoil spectra and the XENONnT refit), ``signals``
(electron and nuclear recoils from any source, user flux tables included, in nuem's
detectors, and the decay signatures: recoil only, double bang, single photon), ``uhe``
(Primakoff production in ice at ultra-high energies).
"""
